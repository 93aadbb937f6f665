"""Messages in Japanese (the default) and English, in one catalogue.

The CLI, progress bars and the web read their words from here, so a translation is a change
to one table, and a missing translation fails a test rather than showing a key to a user.
"""

from __future__ import annotations

from geo_welfare.core.config import language

MESSAGES: dict[str, tuple[str, str]] = {
    "reading": ("読み込み中: {file}", "Reading {file}"),
    "validating": ("検証中: {file}", "Validating {file}"),
    "writing": ("保存中", "Writing"),
    "imported": ("{file}: {created}件追加, {updated}件更新, {removed}件削除（{layer}）",
                 "{file}: {created} added, {updated} updated, {removed} removed ({layer})"),
    "nothing_written": ("取り込みを中止しました。データは変更されていません。",
                        "Import aborted; nothing in the store was changed."),
    "store_ready": ("データベースを準備しました: {url}", "Store ready: {url}"),
    "unparsed_schedules": ("解釈できなかった開催日時（原文のまま保存）: {count}件",
                           "Schedules that could not be parsed (kept as text): {count}"),
    "unmatched_rows": ("小地域に結合できなかった行: {count}件", "Rows that did not join to a small area: {count}"),
    "matched_rows": ("小地域に結合した行: {matched}/{total}件", "Rows joined to a small area: {matched} of {total}"),
    "demo_importing": ("デモ町（架空の合成データ）を取り込み中: {dir}", "Importing the demo town (synthetic, fictional) from {dir}"),
    "serving": ("地図を配信中: http://{host}:{port}/ （Ctrl+C で終了）", "Serving the map at http://{host}:{port}/ (Ctrl+C to stop)"),
    "exported": ("書き出しました: {file}（{count}件）", "Wrote {file} ({count} features)"),
    "dissolved_pieces": ("複数の図形に分かれていた区域を1つに統合: {count}件",
                         "Areas stored in several pieces, dissolved into one: {count}"),
    "straight_line_only": ("道路網ファイルが指定されていないため直線距離で計算しています（--network で指定）",
                           "No street network given: distances are straight lines (use --network)"),
    "network_loaded": ("道路網: {nodes}交点・{edges}区間（{cached}）", "Street network: {nodes} nodes, {edges} edges ({cached})"),
    "from_cache": ("キャッシュから", "from the cache"),
    "stage_reading_store": ("保存先から資源・小地域・人口を読み込み中", "Reading places, small areas and population from the store"),
    "stage_spreading": ("小地域の人口を道路沿いに配分中", "Spreading each small area's population along its streets"),
    "stage_walking": ("道路に沿った徒歩距離を計算中", "Computing walking distances over the streets"),
    "stage_gaps": ("徒歩圏外の地域を作成中", "Building the areas beyond reach"),
    "stage_service_areas": ("資源ごとの徒歩圏を作成中", "Building each place's walking area"),
    "stage_siting": ("新しい拠点の候補を最適化中（HiGHS）", "Choosing new sites (HiGHS)"),
    "plan_summary": ("{model}: {sites}か所で65歳以上の徒歩圏カバー {before:.1%} → {after:.1%}（+{gain:,.0f}人）",
                     "{model}: {sites} sites bring 65+ coverage from {before:.1%} to {after:.1%} (+{gain:,.0f})"),
    "model_maximal_covering": ("厳密解（最大被覆 MCLP）", "exact (maximal covering, MCLP)"),
    "model_set_covering": ("厳密解（集合被覆 LSCP）", "exact (set covering, LSCP)"),
    "model_greedy_covering": ("貪欲法（比較用）", "greedy (for comparison)"),
    "user_password": ("パスワード", "Password"),
    "user_password_again": ("パスワード（確認）", "Password again"),
    "user_added": ("利用者を追加しました: {name}（{role}）", "Added {name} ({role})"),
    "user_removed": ("利用者を削除しました: {name}（変更履歴は残ります）", "Removed {name} (their history stays)"),
    "user_taken": ("この利用者名はすでにあります: {name}", "This user name is taken: {name}"),
    "user_missing": ("その利用者はいません: {name}", "No such user: {name}"),
    "user_none": ("利用者はまだいません（geo-welfare user add 名前 --role editor）",
                  "No users yet (geo-welfare user add NAME --role editor)"),
    "no_candidates": ("候補地がありません（import candidates で取り込むか --grid を指定）",
                      "No candidate sites (import candidates, or use --grid)"),
    "no_places": ("該当する資源がありません（--kind を確認）", "No places of these kinds in the store (check --kind)"),
    "capacity_unknown": ("定員が不明な資源 {count}/{total}件は除いて計算しました",
                         "{count} of {total} places have no known capacity and were left out"),
    "components": ("道路網の連結成分: {count}個（うち小さな孤立部 {small}個）、最大の成分 {main_km} km",
                   "Network pieces: {count} ({small} small islands); the largest has {main_km} km of street"),
    "on_islands": ("{layer}: 小さな孤立した道路網に吸着した地点 {count}/{total}件",
                   "{layer}: {count} of {total} points snap to a small island of the network"),
    "built": ("新規に構築", "built"),
    "internal_error": ("予期しないエラーです（詳細は GEO_WELFARE_DEBUG=1 で表示）: {error}",
                       "Unexpected error (set GEO_WELFARE_DEBUG=1 for details): {error}"),
    "repaired_geometries": ("不正な図形を修復しました: {count}件", "Invalid geometries repaired: {count}"),
}


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The message ``key`` in the chosen language, with ``values`` filled in."""
    ja, en = MESSAGES[key]
    return (en if language(lang) == "en" else ja).format(**values)
