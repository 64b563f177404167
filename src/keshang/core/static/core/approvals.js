// Approval decision form: a submit button marked data-confirm (驳回, 退回修改) asks before it posts.
// web/app.js handles data-confirm on whole forms; here one form has several buttons and only some ask.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);
})();
