// Claim forms in the review queue: show only the fields for the chosen kind of claim.
// Hidden groups are disabled so their values are not sent; without JavaScript every
// group shows and the server reads only the chosen kind's fields.
(function () {
  "use strict";
  document.querySelectorAll("[data-fr-claim-form]").forEach(function (form) {
    var select = form.querySelector("select[name=kind]");
    if (!select) return;
    function update() {
      form.querySelectorAll("[data-kind]").forEach(function (group) {
        var on = group.getAttribute("data-kind") === select.value;
        group.hidden = !on;
        group.disabled = !on;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
