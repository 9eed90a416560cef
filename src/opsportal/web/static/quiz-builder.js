// The quiz builder (admin): "Add question", "Add option" and the "Remove" buttons work in
// place instead of posting the form back. New rows are clones of the page's <template>
// elements; every row's names and ids are renumbered (`questions.2.options.1.text`), focus
// moves to the field the author will want next, and the change is said in the page's polite
// live region. Without this file the buttons post the form and the server does the same.
// Choosing "True / false" for a question whose options are still blank fills in the two
// options. A file, not inline script, because the Content-Security-Policy allows only these.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz-builder]");
  var status = document.getElementById("builder-status");
  var questionTemplate = document.getElementById("question-template");
  var optionTemplate = document.getElementById("option-template");
  if (!form || !status || !questionTemplate || !optionTemplate) return;
  var list = form.querySelector("[data-questions]");
  if (!list) return;
  var announcement = 0;

  function say(key, values) {
    var text = form.getAttribute("data-said-" + key) || "";
    Object.keys(values).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    // Emptied first, then filled a moment later: the same words twice are announced twice.
    status.textContent = "";
    var mine = ++announcement;
    window.setTimeout(function () {
      if (mine === announcement) status.textContent = text;
    }, 100);
  }

  function questions() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-question]"));
  }

  function optionsOf(question) {
    return Array.prototype.slice.call(
      question.querySelector("[data-options]").querySelectorAll("[data-option]")
    );
  }

  function textOf(option) {
    return option.querySelector('input[type="text"]');
  }

  // --- renumbering: names, ids, labels' targets, button values and the numbers shown ---

  var ATTRIBUTES = ["id", "name", "for", "aria-describedby"];

  function rewrite(root, change) {
    var elements = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    elements.forEach(function (element) {
      ATTRIBUTES.forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value !== null) element.setAttribute(attribute, change(value));
      });
      // A button's value is its action; an input's value is the author's text: left alone.
      if (element.tagName === "BUTTON" && element.value) element.value = change(element.value);
    });
  }

  function show(root, kind, number) {
    root.querySelectorAll('[data-number="' + kind + '"]').forEach(function (span) {
      span.textContent = String(number);
    });
  }

  function renumber() {
    var all = questions();
    all.forEach(function (question, i) {
      rewrite(question, function (value) {
        return value
          .replace(/(^|\s)questions([.-])\d+/g, "$1questions$2" + i)
          .replace(/^question-\d+$/, "question-" + i)
          .replace(/^(add-option-|remove-question-)\d+$/, "$1" + i)
          .replace(/^remove-option-\d+-/, "remove-option-" + i + "-");
      });
      show(question, "question", i + 1);
      var options = optionsOf(question);
      options.forEach(function (option, j) {
        rewrite(option, function (value) {
          return value
            .replace(/(questions[.-]\d+[.-]options[.-])\d+/g, "$1" + j)
            .replace(/^(remove-option-\d+-)\d+$/, "$1" + j);
        });
        show(option, "option", j + 1);
        var text = textOf(option);
        if (text && text.placeholder) text.placeholder = text.placeholder.replace(/\d+/, String(j + 1));
      });
      question.querySelector("[data-option-count]").value = String(options.length);
    });
    form.querySelector("[data-question-count]").value = String(all.length);
  }

  // --- ids: a new question is q<n>, a new option the first free letter ---

  function freeQuestionId() {
    var used = {};
    list.querySelectorAll('input[type="hidden"]').forEach(function (input) {
      if (/^questions\.\d+\.id$/.test(input.name)) used[input.value] = true;
    });
    var n = 1;
    while (used["q" + n]) n += 1;
    return "q" + n;
  }

  function freeOptionId(question) {
    var used = {};
    optionsOf(question).forEach(function (option) {
      used[option.querySelector('input[type="hidden"]').value] = true;
    });
    var letters = form.getAttribute("data-option-ids") || "";
    for (var k = 0; k < letters.length; k += 1) {
      if (!used[letters.charAt(k)]) return letters.charAt(k);
    }
    return null;
  }

  // --- the row actions ---

  function newOption(question) {
    var id = freeOptionId(question);
    if (id === null) return null;
    var row = optionTemplate.content.firstElementChild.cloneNode(true);
    row.querySelector('input[type="hidden"]').value = id;
    question.querySelector("[data-options]").appendChild(row);
    return row;
  }

  function addQuestion() {
    var count = questions().length;
    var most = Number(form.getAttribute("data-max-questions"));
    if (count >= most) {
      say("most-questions", { max: most });
      return;
    }
    var question = questionTemplate.content.firstElementChild.cloneNode(true);
    question.querySelector('input[name="questions.0.id"]').value = freeQuestionId();
    list.appendChild(question);
    renumber();
    question.querySelector("textarea").focus();
    say("question-added", { question: count + 1 });
  }

  function removeQuestion(question) {
    var index = questions().indexOf(question);
    question.remove();
    renumber();
    var left = questions();
    var next = left.length
      ? left[Math.min(index, left.length - 1)].querySelector("textarea")
      : form.querySelector('button[value="add-question"]');
    next.focus();
    say("question-removed", { question: index + 1 });
  }

  function addOption(question) {
    var count = optionsOf(question).length;
    var most = Number(form.getAttribute("data-max-options"));
    var row = count < most ? newOption(question) : null;
    if (row === null) {
      say("most-options", { max: most });
      return;
    }
    renumber();
    textOf(row).focus();
    say("option-added", { option: count + 1, question: questions().indexOf(question) + 1 });
  }

  function removeOption(question, option) {
    var index = optionsOf(question).indexOf(option);
    option.remove();
    renumber();
    var left = optionsOf(question);
    var next = left.length
      ? textOf(left[Math.min(index, left.length - 1)])
      : question.querySelector('button[value^="add-option-"]');
    next.focus();
    say("option-removed", { option: index + 1, question: questions().indexOf(question) + 1 });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="action"]');
    if (!button || !form.contains(button)) return;
    var action = button.value;
    var question = button.closest("[data-question]");
    if (action === "add-question") {
      event.preventDefault();
      addQuestion();
    } else if (question && /^remove-question-\d+$/.test(action)) {
      event.preventDefault();
      removeQuestion(question);
    } else if (question && /^add-option-\d+$/.test(action)) {
      event.preventDefault();
      addOption(question);
    } else if (question && /^remove-option-\d+-\d+$/.test(action)) {
      event.preventDefault();
      removeOption(question, button.closest("[data-option]"));
    }
  });

  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches("select[data-question-type]") || select.value !== "TRUE_FALSE") return;
    var question = select.closest("[data-question]");
    var options = optionsOf(question);
    var typed = options.some(function (option) {
      return textOf(option).value.trim() !== "";
    });
    if (typed) return; // never overwrite what the author wrote
    options.slice(2).forEach(function (option) {
      option.remove();
    });
    while (optionsOf(question).length < 2 && newOption(question) !== null) {
      // one more blank row
    }
    renumber();
    var words = [form.getAttribute("data-true"), form.getAttribute("data-false")];
    optionsOf(question).forEach(function (option, j) {
      textOf(option).value = words[j];
    });
    say("true-false", {
      question: questions().indexOf(question) + 1,
      true: words[0],
      false: words[1],
    });
  });
})();
