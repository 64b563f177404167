// The contract template editor's field picker (issue 13): a click on a field button inserts {{名称}} into the
// body textarea at the cursor (replacing the selection), then puts the cursor after it. No inline script: CSP.
(function () {
  "use strict";

  function insertField(textarea, name) {
    var token = "{{" + name + "}}";
    var start = textarea.selectionStart != null ? textarea.selectionStart : textarea.value.length;
    var end = textarea.selectionEnd != null ? textarea.selectionEnd : start;
    textarea.value = textarea.value.slice(0, start) + token + textarea.value.slice(end);
    var caret = start + token.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-merge-field]");
    if (!button) {
      return;
    }
    var textarea = document.querySelector("textarea[data-merge-target]");
    if (textarea) {
      event.preventDefault();
      insertField(textarea, button.getAttribute("data-merge-field"));
    }
  });
})();
