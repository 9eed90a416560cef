// "Copy link" buttons: <button data-copy-target="input-id">. A file, not inline
// script, because the Content-Security-Policy allows scripts from this site only.
// The button's data-copied, data-not-copied, data-status-copied and data-status-not-copied
// say the outcome in the page's language; the English here is the fallback.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy-target]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  var label = button.dataset.label || button.textContent;
  button.dataset.label = label;
  function done(copied) {
    var words = button.dataset;
    button.textContent = copied
      ? words.copied || "Copied"
      : words.notCopied || "Select and copy";
    var status = document.getElementById(button.dataset.copyTarget + "-status");
    if (status) {
      status.textContent = copied
        ? words.statusCopied || "Link copied to the clipboard"
        : words.statusNotCopied || "Press Ctrl+C (⌘C) to copy the selected link";
    }
    setTimeout(function () { button.textContent = label; }, 2000);
  }
  input.focus();
  input.select();
  // The selection copy works synchronously inside the click on every browser;
  // the asynchronous Clipboard API is the fallback where that is refused.
  var copied = false;
  try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
  if (copied || !(navigator.clipboard && window.isSecureContext)) {
    done(copied);
    return;
  }
  navigator.clipboard.writeText(input.value).then(
    function () { done(true); },
    function () { done(false); }
  );
});
