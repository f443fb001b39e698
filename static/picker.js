// Suggestions for the room and people pickers of the session form, asked of the server as the
// organiser types: it matches whatever the case, accents or script ("lopez" offers "María López"),
// where a browser's own <datalist> filter does not. The input becomes a combobox with a list of
// suggestions below it (arrows, Enter, Escape, or a click); without script the <datalist> serves.
(function () {
  var lists = Array.prototype.slice.call(document.querySelectorAll("datalist[data-suggest]"));
  var count = 0;
  lists.forEach(function (datalist) {
    var inputs = document.querySelectorAll('input[list="' + datalist.id + '"]');
    Array.prototype.forEach.call(inputs, function (input) { enhance(input, datalist); });
  });

  function enhance(input, datalist) {
    count += 1;
    var box = document.createElement("ul");
    box.id = datalist.id + "-suggest-" + count;
    box.className = "suggestions";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", datalist.dataset.label || "");
    box.hidden = true;
    input.insertAdjacentElement("afterend", box);
    input.removeAttribute("list");  // one list of suggestions: ours
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", box.id);
    input.setAttribute("autocomplete", "off");
    var timer = null, asked = "", active = -1;

    function options() { return Array.prototype.slice.call(box.querySelectorAll("[role=option]")); }
    function close() {
      box.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      var all = options();
      active = all.length ? (i + all.length) % all.length : -1;
      all.forEach(function (o, j) { o.setAttribute("aria-selected", j === active ? "true" : "false"); });
      if (active >= 0) { input.setAttribute("aria-activedescendant", all[active].id); all[active].scrollIntoView({ block: "nearest" }); }
    }
    function choose(option) {
      input.value = option.dataset.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function show(found) {
      box.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = box.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.value = item.value;
        li.textContent = item.value;
        if (item.hint) {
          var hint = document.createElement("span");
          hint.className = "hint";
          hint.textContent = " · " + item.hint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
        box.appendChild(li);
      });
      box.hidden = !found.length;
      active = -1;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      if (!q) { show([]); return; }
      var url = datalist.dataset.suggest + (datalist.dataset.suggest.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { if (input.value.trim() === q && document.activeElement === input) { show(data.options || []); } })
        .catch(function () { asked = ""; });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (box.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(options()[active]); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { close(); asked = ""; });
  }
})();
