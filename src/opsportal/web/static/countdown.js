// The quiz's time limit as a countdown, from a file so the page needs no inline script.
// The server enforces the limit; this only shows it (the deadline is also printed).
window.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-deadline]");
  if (!box) return;
  var out = box.querySelector("[data-countdown]");
  var deadline = Date.parse(box.dataset.deadline);
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60), seconds = left % 60;
    out.textContent = left > 0
      ? "Time left: " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds
      : "Time is up: submit now.";
    if (left > 0) window.setTimeout(tick, 1000);
  }
  tick();
});
