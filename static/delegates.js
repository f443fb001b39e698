// Accreditation queue: the header box ticks or unticks every nomination shown. Without script the
// box stays hidden and each nomination is ticked by hand.
(function () {
  var all = document.getElementById("select-all");
  if (!all) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=delegate][form=bulk-accredit]"));
  all.hidden = false;
  all.addEventListener("change", function () { boxes.forEach(function (b) { b.checked = all.checked; }); });
  boxes.forEach(function (b) {
    b.addEventListener("change", function () { all.checked = boxes.every(function (x) { return x.checked; }); });
  });
})();
