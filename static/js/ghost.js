// The session photos' capture page (patients/templates/patients/outcomes/capture.html).
// Without this script (or without a camera the page may use) each view has the browser's
// camera input, a file input with capture="environment". With it, where the browser
// offers getUserMedia, a view can open a live preview with the previous session's photo
// of the same view shown translucently over it (the ghost), to line up the face; the
// picture taken is put into the same file input and sent through the same form.
(function () {
  "use strict";

  var canUseCamera = Boolean(
    navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
    typeof DataTransfer === "function" && window.isSecureContext
  );
  if (!canUseCamera) { return; }

  function setUp(form) {
    var start = form.querySelector("[data-camera-start]");
    var box = form.querySelector("[data-camera]");
    var video = form.querySelector("[data-camera-video]");
    var ghost = form.querySelector("[data-camera-ghost]");
    var shoot = form.querySelector("[data-camera-shoot]");
    var stop = form.querySelector("[data-camera-stop]");
    var file = form.querySelector("[data-camera-file]");
    var stream = null;
    if (!start || !box || !video || !file) { return; }
    start.hidden = false;

    function close() {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
      }
      video.srcObject = null;
      box.hidden = true;
      start.hidden = false;
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (opened) {
          stream = opened;
          video.srcObject = opened;
          video.play();
          if (ghost && form.dataset.ghostSrc) { ghost.src = form.dataset.ghostSrc; }
          box.hidden = false;
          start.hidden = true;
          shoot.focus();
        })
        .catch(function () {
          // Refused or no camera: the file input stays, as without the script.
          start.hidden = true;
        });
    });

    stop.addEventListener("click", close);

    shoot.addEventListener("click", function () {
      if (!video.videoWidth) { return; }
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) {
        if (!blob) { return; }
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "camera.jpg", { type: "image/jpeg" }));
        file.files = transfer.files;
        close();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }, "image/jpeg", 0.92);
    });
  }

  document.querySelectorAll("[data-capture-form]").forEach(setUp);
})();
