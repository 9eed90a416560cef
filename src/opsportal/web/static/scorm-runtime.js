/* The SCORM runtime frame, on the content origin: the API object a SCO looks for in
   window.parent (`API` for SCORM 1.2, `API_1484_11` for 2004), from scorm-again,
   started from the data the server stored, committing to this launch's URL only.
   The launch key is in that URL; no cookie of the portal ever reaches this origin. */
(function () {
  "use strict";
  var root = document.getElementById("scorm-runtime");
  var message = document.getElementById("scorm-message");
  var frame = document.getElementById("scorm-sco");
  if (!root || !frame) {
    return;
  }
  var state = JSON.parse(root.getAttribute("data-state"));
  var settings = {
    lmsCommitUrl: root.getAttribute("data-commit-url"),
    dataCommitFormat: "flattened",
    autocommit: true,
    autocommitSeconds: 15,
    logLevel: 4
  };
  var api;
  var finish;
  if (state.version === "1.2") {
    api = new window.Scorm12API(settings);
    window.API = api;
    finish = "LMSFinish";
  } else {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
    finish = "Terminate";
  }
  api.loadFromFlattenedJSON(state.cmi, "");
  api.on(finish, function () {
    // The frame's page says it in the learner's language; the English is the fallback.
    message.textContent = root.getAttribute("data-saved-message") ||
      "Your progress is saved. You can close this course.";
  });
  frame.src = root.getAttribute("data-content-base") + state.launchPath;
})();
