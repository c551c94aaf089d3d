// Two sessions' photos of one view, one over the other (patients/outcomes/_comparison.html).
// The range input (mouse, touch or keyboard) sets how much of the earlier photo covers the
// later one; the stage takes the later photo's shape. Without the script the stage shows
// half of each.
(function () {
  "use strict";

  function setUp(slider) {
    var range = slider.querySelector("[data-compare-range]");
    var stage = slider.querySelector(".compare-stage");
    if (!range || !stage) { return; }
    var ratio = (slider.dataset.ratio || "").split("/");
    if (ratio.length === 2 && Number(ratio[0]) > 0 && Number(ratio[1]) > 0) {
      stage.style.aspectRatio = ratio[0] + " / " + ratio[1];
    }
    function sync() { stage.style.setProperty("--split", range.value + "%"); }
    range.addEventListener("input", sync);
    sync();
    slider.classList.add("is-live");
  }

  document.querySelectorAll("[data-compare-slider]").forEach(setUp);
})();
