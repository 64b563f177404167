// Bulk actions on list pages (core/object_list.html). The rows' checkboxes belong to the 批量操作 form, whose
// actions are plain submit buttons: without this script they still send the ticked ids. The script adds the
// 全选本页 box, the count on the menu, and keeps the menu shut while nothing is ticked. Served from our own
// origin: the CSP forbids inline scripts.
(function () {
  "use strict";

  function rows(form) {
    return document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + form.id + '"]');
  }

  function refresh() {
    document.querySelectorAll("form[data-bulk-form]").forEach(function (form) {
      var boxes = rows(form);
      var ticked = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          ticked += 1;
        }
      });
      var toggle = form.querySelector("[data-bulk-toggle]");
      var count = form.querySelector("[data-bulk-count]");
      if (toggle) {
        toggle.disabled = ticked === 0;
      }
      if (count) {
        count.textContent = String(ticked);
        count.hidden = ticked === 0;
      }
      document.querySelectorAll('[data-bulk-all="' + form.id + '"]').forEach(function (all) {
        all.checked = boxes.length > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) {
      return;
    }
    if (target.matches("[data-bulk-all]")) {
      var form = document.getElementById(target.getAttribute("data-bulk-all"));
      if (form) {
        rows(form).forEach(function (box) {
          box.checked = target.checked;
        });
      }
    }
    if (target.matches("[data-bulk-all]") || target.matches('input[type="checkbox"][name="ids"]')) {
      refresh();
    }
  });

  // Filtering, sorting and paging replace the table (htmx): its boxes start unticked again.
  document.addEventListener("htmx:afterSettle", refresh);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
