// Confirmation dialogs. A link <a href="/confirm-page" data-dialog="dialog-id" data-x="…">
// leads to a confirmation page without script; with it, the link opens the <dialog>
// instead: each [data-fill=x] in it shows the link's data-x, its form posts to the link's
// address (which carries the list's filters), and Cancel or Escape close it, changing nothing.
(function () {
  var opener = null;

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-dialog]");
    if (link) {
      var dialog = document.getElementById(link.dataset.dialog);
      if (!dialog || typeof dialog.showModal !== "function") return; // the page will do
      event.preventDefault();
      dialog.querySelectorAll("[data-fill]").forEach(function (element) {
        element.textContent = link.dataset[element.dataset.fill] || "";
      });
      var form = dialog.querySelector("form");
      if (form) {
        form.reset();
        form.action = link.href;
      }
      opener = link;
      dialog.showModal();
      var first = dialog.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
      return;
    }
    var close = event.target.closest("[data-dialog-close]");
    if (close) {
      var open = close.closest("dialog");
      if (open) open.close();
    }
  });

  // Back to the link that opened it, however the dialog closed.
  document.addEventListener("close", function (event) {
    if (event.target.tagName === "DIALOG" && opener) {
      opener.focus();
      opener = null;
    }
  }, true);
})();
