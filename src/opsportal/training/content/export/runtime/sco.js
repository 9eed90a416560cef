/* opsportal SCORM 1.2 runtime: one course's content and quiz, reported to the LMS.
 *
 * Finds the LMS's API object by the ADL discovery algorithm (this window's
 * parents, then the opener's), grades the quiz here as the portal does (a
 * question is right when exactly its correct options are chosen; the score is
 * the share right, rounded down; passed at the pass mark), and reports
 * cmi.core.lesson_status, cmi.core.score.raw/min/max, cmi.core.session_time and
 * cmi.suspend_data (the answers, so a learner resumes where they left).
 */
(function () {
  "use strict";

  var data = window.OPSPORTAL_SCO || { hasQuiz: false };
  var MAX_TRIES = 500;

  function findAPI(win) {
    var tries = 0;
    while ((win.API === undefined || win.API === null) && win.parent && win.parent !== win) {
      tries += 1;
      if (tries > MAX_TRIES) {
        return null;
      }
      win = win.parent;
    }
    return win.API || null;
  }

  function getAPI() {
    var api = null;
    try {
      api = findAPI(window);
      if (api === null && window.opener) {
        api = findAPI(window.opener);
      }
    } catch (e) {
      api = null; // a window of another origin: no API there
    }
    return api;
  }

  var api = getAPI();
  var started = new Date();
  var finished = false;
  var status = "";
  var form = document.getElementById("quiz");
  var result = document.getElementById("result");

  function get(name) {
    return api ? String(api.LMSGetValue(name)) : "";
  }
  function set(name, value) {
    if (api) {
      api.LMSSetValue(name, String(value));
    }
  }
  function commit() {
    if (api) {
      api.LMSCommit("");
    }
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) {
      s = "0" + s;
    }
    return s;
  }

  // CMITimespan: HHHH:MM:SS.SS
  function sessionTime() {
    var centis = Math.floor((new Date().getTime() - started.getTime()) / 10);
    var hours = Math.floor(centis / 360000);
    var minutes = Math.floor((centis % 360000) / 6000);
    var seconds = Math.floor((centis % 6000) / 100);
    return pad(Math.min(hours, 9999), 4) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(centis % 100, 2);
  }

  function answers() {
    var chosen = {};
    if (!form) {
      return chosen;
    }
    var inputs = form.querySelectorAll("input[data-question]");
    for (var i = 0; i < inputs.length; i += 1) {
      var question = inputs[i].getAttribute("data-question");
      if (!chosen[question]) {
        chosen[question] = [];
      }
      if (inputs[i].checked) {
        chosen[question].push(inputs[i].value);
      }
    }
    return chosen;
  }

  function restore(saved) {
    if (!form || !saved || !saved.answers) {
      return;
    }
    var inputs = form.querySelectorAll("input[data-question]");
    for (var i = 0; i < inputs.length; i += 1) {
      var picked = saved.answers[inputs[i].getAttribute("data-question")] || [];
      inputs[i].checked = picked.indexOf(inputs[i].value) !== -1;
    }
  }

  function save(submitted) {
    set("cmi.suspend_data", JSON.stringify({ answers: answers(), submitted: submitted }));
    commit();
  }

  function grade() {
    var chosen = answers();
    var total = 0;
    var correct = 0;
    for (var question in data.key) {
      if (Object.prototype.hasOwnProperty.call(data.key, question)) {
        total += 1;
        var picked = (chosen[question] || []).slice().sort();
        var key = data.key[question];
        if (picked.length > 0 && picked.join("\u0000") === key.join("\u0000")) {
          correct += 1;
        }
      }
    }
    return { correct: correct, total: total };
  }

  function report(grading) {
    var raw = Math.floor((grading.correct * 100) / grading.total);
    var passed = grading.correct * 100 >= data.passMark * grading.total;
    status = passed ? "passed" : "failed";
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", raw);
    set("cmi.core.lesson_status", status);
    save(true);
    result.textContent =
      (passed ? "Passed: " : "Not passed: ") + grading.correct + " of " + grading.total +
      " right (" + raw + " %; pass mark " + data.passMark + " %).";
  }

  function finish() {
    if (!api || finished) {
      return;
    }
    finished = true;
    set("cmi.core.session_time", sessionTime());
    set("cmi.core.exit", status === "passed" || status === "completed" ? "" : "suspend");
    commit();
    api.LMSFinish("");
  }

  if (api) {
    api.LMSInitialize("");
    status = get("cmi.core.lesson_status");
    var saved = null;
    try {
      saved = JSON.parse(get("cmi.suspend_data") || "null");
    } catch (e) {
      saved = null;
    }
    restore(saved);
    if (!data.hasQuiz) {
      status = "completed"; // a course to read: opening it completes it
      set("cmi.core.lesson_status", status);
      commit();
    } else if (status === "" || status === "not attempted") {
      status = "incomplete";
      set("cmi.core.lesson_status", status);
      commit();
    }
  } else if (result) {
    result.textContent = "No learning management system was found: your result is not recorded.";
  }

  if (form) {
    form.addEventListener("change", function () {
      save(false);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      report(grade());
    });
  }
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
})();
