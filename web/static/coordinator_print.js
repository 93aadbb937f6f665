// The printout's one button: print this page (the page itself is complete without the script).
(function () {
  var button = document.getElementById("print-now");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
