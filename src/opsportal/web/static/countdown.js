// The quiz's time limit, from a file so the page needs no inline script.
// The server enforces the limit; this shows the deadline in the learner's own time
// zone (the page prints it in UTC without script) and counts down to it. The visible
// countdown is not a live region: screen readers hear it only at the set points in
// data-announce-at (seconds left), politely, and assertively when the time is up.
// What it says comes from the page, in the learner's language (a JSON element
// [data-countdown-text]: "{time}" marks where the time goes); the English here is the
// fallback only.
window.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-deadline]");
  if (!box) return;
  var text = pageText(box.querySelector("[data-countdown-text]"));
  var deadline = Date.parse(box.dataset.deadline);
  var out = box.querySelector("[data-countdown]");
  var polite = box.querySelector('[data-announce="polite"]');
  var assertive = box.querySelector('[data-announce="assertive"]');
  var points = (box.dataset.announceAt || "")
    .split(",")
    .map(function (s) { return parseInt(s, 10); })
    .filter(function (n) { return n > 0; })
    .sort(function (a, b) { return b - a; });

  showLocalTime(box.querySelector("[data-local-time]"), box.querySelector("[data-utc-time]"), text);

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function spoken(seconds) {
    if (text.left && text.left[seconds]) return text.left[seconds];
    var left;
    if (seconds >= 60 && seconds % 60 === 0) {
      var minutes = seconds / 60;
      left = minutes + (minutes === 1 ? " minute" : " minutes");
    } else {
      left = seconds + (seconds === 1 ? " second" : " seconds");
    }
    return left + " left to submit your answers.";
  }

  // Points already behind us when the page opens are not announced: the page says the time.
  var next = 0;
  var startLeft = secondsLeft();
  while (next < points.length && points[next] >= startLeft) next++;
  var over = startLeft <= 0;

  function announce() {
    var left = secondsLeft();
    var crossed = null;
    while (next < points.length && left <= points[next]) crossed = points[next++];
    if (left <= 0 && !over) {
      over = true;
      assertive.textContent = text.timeIsUpSpoken ||
        "Time is up. Submit your answers now: answers sent later count as failed.";
    } else if (crossed !== null && left > 0) {
      polite.textContent = spoken(crossed);
    }
    return left;
  }

  function tick() {
    var left = announce();
    var minutes = Math.floor(left / 60), seconds = left % 60;
    out.textContent = left > 0
      ? fill(text.timeLeft || "Time left: {time}", minutes + ":" + (seconds < 10 ? "0" : "") + seconds)
      : text.timeIsUp || "Time is up: submit now.";
    if (left > 0) window.setTimeout(tick, 1000);
  }
  tick();
});

function pageText(element) {
  if (!element) return {};
  try {
    return JSON.parse(element.textContent) || {};
  } catch (e) {
    return {};
  }
}

function fill(template, time) {
  return template.split("{time}").join(time);
}

function showLocalTime(time, utc, text) {
  if (!time || !window.Intl) return;
  var when = new Date(time.getAttribute("datetime"));
  if (isNaN(when.getTime())) return;
  var lang = document.documentElement.lang || undefined;
  var local;
  try {
    local = new Intl.DateTimeFormat(lang, {
      year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    }).format(when);
  } catch (e) {
    return;
  }
  time.textContent = fill((text && text.yourTime) || "{time}, your time", local);
  if (utc) utc.hidden = false;
}
