/* Intake form: show follow-up questions only when they apply.
 *
 * Progressive enhancement only: without JavaScript every question is shown and
 * the server decides what applies (a hidden answer is ignored there too).
 * A block marked data-show-key="sex" data-show-values="female" is shown while
 * the checked answer to "sex" is one of the listed values.
 */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) {
    return;
  }
  var blocks = form.querySelectorAll("[data-show-key]");

  function answerOf(key) {
    var checked = form.querySelector('input[name="' + key + '"]:checked');
    if (checked) {
      return checked.value;
    }
    var field = form.querySelector('[name="' + key + '"]');
    return field && field.type !== "radio" ? field.value : "";
  }

  function update() {
    blocks.forEach(function (block) {
      var wanted = (block.getAttribute("data-show-values") || "").split(" ");
      var shown = wanted.indexOf(answerOf(block.getAttribute("data-show-key"))) !== -1;
      block.classList.toggle("d-none", !shown);
      block.setAttribute("aria-hidden", shown ? "false" : "true");
    });
  }

  form.addEventListener("change", update);
  update();
})();
