// The opportunity board: drag a card (native HTML5 drag and drop) onto another stage's column to move it.
// The move is posted through htmx and the server answers with the whole #board, re-rendered. A move into a
// won or lost stage first asks for the reason in a <dialog>. Cards also carry a "移动到…" select and button
// that work with the keyboard and without this script.
(function () {
  "use strict";

  var dragged = null;

  function columnOf(node) {
    return node && node.closest ? node.closest("[data-stage]") : null;
  }

  function clearTargets() {
    document.querySelectorAll(".ks-drop-target").forEach(function (column) {
      column.classList.remove("ks-drop-target");
    });
  }

  function move(card, stage, reason) {
    // The board's filters ride along in the query string, so the board comes back filtered the same way.
    window.htmx.ajax("POST", card.getAttribute("data-move-url") + window.location.search, {
      source: card,
      target: "#board",
      swap: "outerHTML",
      values: {stage: stage, reason: reason || "", from: "board"},
    });
  }

  function askReason(card, column) {
    var dialog = document.getElementById("board-reason");
    var input = document.getElementById("board-reason-input");
    dialog.querySelector("[data-reason-stage]").textContent = column.getAttribute("data-stage-name");
    input.value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      var reason = input.value.trim();
      if (dialog.returnValue === "confirm" && reason) {
        move(card, column.getAttribute("data-stage"), reason);
      }
    });
    dialog.showModal();
    input.focus();
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-move-url]") : null;
    if (!card) {
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-opportunity"));
    card.classList.add("ks-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("ks-dragging");
    }
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var column = columnOf(event.target);
    if (!dragged || !column) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("ks-drop-target")) {
      clearTargets();
      column.classList.add("ks-drop-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) {
      column.classList.remove("ks-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var column = columnOf(event.target);
    var card = dragged;
    if (!card || !column) {
      return;
    }
    event.preventDefault();
    clearTargets();
    if (columnOf(card) === column) {
      return;
    }
    if (column.getAttribute("data-needs-reason") === "true") {
      askReason(card, column);
    } else {
      move(card, column.getAttribute("data-stage"), "");
    }
  });
})();
