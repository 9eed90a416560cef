// Saves the quiz's answers as the learner goes, so that a reload, "Continue your
// attempt" or another device finds them again. The form posts itself (with its CSRF
// token) to data-draft-url a moment after the last change; without script, answers
// are kept when an incomplete quiz is submitted. Grading reads only the real submit.
// What it says comes from the status element's data-saved, data-closed and data-not-saved
// (the page's language; "{time}" marks where the time goes); the English is the fallback.
window.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-draft-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.dataset.draftUrl;
  var status = form.querySelector("[data-draft-status]");
  var DELAY_MS = 800;
  var timer = null;
  var dirty = false;
  var submitting = false;

  function say(words) {
    if (status) status.textContent = words;
  }

  function text(name, english) {
    return (status && status.dataset[name]) || english;
  }

  function save() {
    timer = null;
    if (!dirty || submitting) return;
    dirty = false;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.ok) {
        var time = new Date().toLocaleTimeString(document.documentElement.lang || undefined,
          { hour: "2-digit", minute: "2-digit" });
        say(text("saved", "Answers saved at {time}.").split("{time}").join(time));
      } else if (response.status === 409) {
        say(text("closed", "This attempt can no longer change: submit it to see your result."));
      } else {
        dirty = true;
        say(text("notSaved", "Your answers could not be saved just now; they are sent when you submit."));
      }
    }).catch(function () {
      dirty = true;
      say(text("notSaved", "Your answers could not be saved just now; they are sent when you submit."));
    });
  }

  form.addEventListener("change", function () {
    dirty = true;
    if (timer !== null) window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  });
  form.addEventListener("submit", function () {
    submitting = true;
    if (timer !== null) window.clearTimeout(timer);
  });
  // Leaving before the delay is over (a reload, closing the tab): send what is pending.
  window.addEventListener("pagehide", function () {
    if (dirty && !submitting && navigator.sendBeacon) {
      dirty = false;
      navigator.sendBeacon(url, new FormData(form));
    }
  });
});
