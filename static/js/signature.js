/* The clinic tablet's signature pad: draw with a finger (or a mouse) on the canvas;
 * on submit the drawing goes to the hidden "drawing" field as a PNG data URL.
 * Without a drawing the field stays empty and the server asks for one.
 */
(function () {
  "use strict";
  var form = document.getElementById("tablet-sign");
  var canvas = document.getElementById("signature-pad");
  if (!form || !canvas) {
    return;
  }
  var context = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - box.left) * (canvas.width / box.width),
      y: (event.clientY - box.top) * (canvas.height / box.height),
    };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var at = point(event);
    context.beginPath();
    context.moveTo(at.x, at.y);
    context.lineTo(at.x + 0.1, at.y + 0.1);
    context.stroke();
    drawn = true;
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) {
      return;
    }
    event.preventDefault();
    var at = point(event);
    context.lineTo(at.x, at.y);
    context.stroke();
  });
  function stop() {
    drawing = false;
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  document.getElementById("signature-clear").addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  });

  form.addEventListener("submit", function () {
    form.elements.drawing.value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();
