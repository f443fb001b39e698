// Moves the progress bars of background jobs without reloading; without script a reload shows the same.
(function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".job[data-job-url]"));
  boxes.forEach(function (box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector(".job-text");
    var download = box.querySelector(".job-download");
    function poll() {
      fetch(box.dataset.jobUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          bar.max = s.total || 1;
          bar.value = s.status === "done" ? bar.max : s.done;  // full once done, whatever the last count said
          text.textContent = s.text;
          box.dataset.status = s.status;
          if (s.status === "queued" || s.status === "running") { setTimeout(poll, 1000); return; }
          bar.removeAttribute("aria-busy");
          if (s.status === "done" && download) {
            download.hidden = false;
            var link = download.querySelector("a");
            if (s.download) { link.href = s.download; }
            if (s.download_text) { link.textContent = s.download_text; }  // the words a reload shows
          }
          if (s.status === "failed") { window.location.reload(); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    if (box.dataset.status === "queued" || box.dataset.status === "running") { setTimeout(poll, 500); }
  });
})();
