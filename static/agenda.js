// Offers the visitor's own time zone (from the browser) on the agenda; the page works without it.
(function () {
  var select = document.getElementById("tz");
  var button = document.getElementById("use-my-tz");
  if (!select || !button || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === select.dataset.eventTz) return;
  var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
  if (!option) return;
  button.hidden = false;
  button.textContent = button.textContent + " (" + zone + ")";
  button.addEventListener("click", function () { select.value = zone; select.form.submit(); });
})();
