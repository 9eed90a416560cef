// "Copy link" buttons: <button data-copy-target="input-id">. A file, not inline
// script, because the Content-Security-Policy allows scripts from this site only.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy-target]");
  if (!button) return;
  var input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  var label = button.textContent;
  function done(text) {
    button.textContent = text;
    var status = document.getElementById(button.dataset.copyTarget + "-status");
    if (status) status.textContent = text === "Copied" ? "Link copied to the clipboard" : "";
    setTimeout(function () { button.textContent = label; }, 2000);
  }
  input.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(
      function () { done("Copied"); },
      function () { done(document.execCommand("copy") ? "Copied" : "Select and copy"); }
    );
  } else {
    done(document.execCommand("copy") ? "Copied" : "Select and copy");
  }
});
