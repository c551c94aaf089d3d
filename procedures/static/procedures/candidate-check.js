// The candidate check: pregnancy questions apply to female patients only, so
// they are hidden while another sex is chosen. Without JavaScript they simply
// stay visible, and the server ignores them for anyone who is not female.
(function () {
  "use strict";
  var group = document.querySelector(".candidate-check .pregnancy-questions");
  var choices = document.querySelectorAll('.candidate-check input[name="sex"]');
  if (!group || choices.length === 0) {
    return;
  }
  function update() {
    var chosen = document.querySelector('.candidate-check input[name="sex"]:checked');
    group.hidden = chosen !== null && chosen.value !== "female";
  }
  choices.forEach(function (input) {
    input.addEventListener("change", update);
  });
  update();
})();
