// The manager's region picker: a frame over the before photo and the same frame over the
// after photo (both are cut alike), dragged to move, its corner dragged to resize (or moved
// with the arrow keys, Shift to resize), kept in step with the four number fields
// (fractions of the picture). Without this script the number fields alone do the job.
(function () {
  "use strict";
  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

  function setUp(picker) {
    var form = picker.closest("form");
    var stages = Array.prototype.slice.call(picker.querySelectorAll(".gallery-crop-stage"));
    var fields = ["crop_x", "crop_y", "crop_width", "crop_height"].map(function (name) {
      return form.elements[name];
    });
    function read() { return fields.map(function (f) { return parseFloat(f.value) || 0; }); }
    function draw() {
      var b = read();
      stages.forEach(function (stage) {
        var frame = stage.querySelector(".gallery-crop-frame");
        frame.style.left = b[0] * 100 + "%";
        frame.style.top = b[1] * 100 + "%";
        frame.style.width = b[2] * 100 + "%";
        frame.style.height = b[3] * 100 + "%";
      });
    }
    function write(box) {
      var w = clamp(box[2], 0.02, 1), h = clamp(box[3], 0.02, 1);
      var x = clamp(box[0], 0, 1 - w), y = clamp(box[1], 0, 1 - h);
      [x, y, w, h].forEach(function (v, i) { fields[i].value = v.toFixed(4); });
      draw();
    }
    function showChosen() {
      stages.forEach(function (stage) {
        var chosen = form.querySelector("input[name=" + stage.dataset.side + "]:checked");
        stage.hidden = !chosen;
        if (chosen) { stage.querySelector("img").src = chosen.parentElement.querySelector("img").dataset.full; }
      });
      draw();
    }
    stages.forEach(function (stage) {
      var frame = stage.querySelector(".gallery-crop-frame");
      var drag = null;
      frame.addEventListener("pointerdown", function (event) {
        var rect = stage.getBoundingClientRect();
        drag = {
          resize: event.target.classList.contains("gallery-crop-handle"),
          x: event.clientX, y: event.clientY, box: read(), w: rect.width, h: rect.height
        };
        frame.setPointerCapture(event.pointerId);
        event.preventDefault();
      });
      frame.addEventListener("pointermove", function (event) {
        if (!drag) { return; }
        var dx = (event.clientX - drag.x) / drag.w, dy = (event.clientY - drag.y) / drag.h;
        var b = drag.box.slice();
        if (drag.resize) { b[2] += dx; b[3] += dy; } else { b[0] += dx; b[1] += dy; }
        write(b);
      });
      frame.addEventListener("pointerup", function () { drag = null; });
      frame.addEventListener("keydown", function (event) {
        var step = 0.01, b = read();
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        var move = moves[event.key];
        if (!move) { return; }
        if (event.shiftKey) { b[2] += move[0]; b[3] += move[1]; } else { b[0] += move[0]; b[1] += move[1]; }
        write(b);
        event.preventDefault();
      });
    });
    fields.forEach(function (f) { f.addEventListener("input", draw); });
    form.querySelectorAll("input[name=before], input[name=after]").forEach(function (radio) {
      radio.addEventListener("change", showChosen);
    });
    showChosen();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-crop-picker]").forEach(setUp);
  });
})();
