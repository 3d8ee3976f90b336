// The entry's admin form (depository/admin_record.py): the bibliographic fields named for the chosen
// type of work ("Journal" for a journal article, "Book" for a chapter, "Website" for a web page), and
// those that do not apply to it folded away. A field holding a value always shows. The type's select
// carries the rules as data attributes (no inline script: the Content-Security-Policy allows none).
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", callback);
    else callback();
  }

  ready(function () {
    var typeSelect = document.getElementById("id_item_type");
    var kindSelect = document.getElementById("id_kind");
    if (!typeSelect || !typeSelect.dataset.recordApplies) return;
    var applies = JSON.parse(typeSelect.dataset.recordApplies);
    var labels = JSON.parse(typeSelect.dataset.recordLabels);
    var kindTypes = JSON.parse(typeSelect.dataset.recordKindTypes);
    var names = Object.keys(applies).concat(Object.keys(labels));

    function row(name) {
      return document.querySelector(".form-row.field-" + name) || document.querySelector(".field-" + name);
    }

    function labelOf(name) {
      return document.querySelector('label[for="id_' + name + '"]');
    }

    function hasValue(name) {
      var input = document.getElementById("id_" + name);
      return input && input.value.trim() !== "";
    }

    function chosenType() {
      return typeSelect.value || (kindSelect && kindTypes[kindSelect.value]) || "document";
    }

    function update() {
      var type = chosenType();
      names.forEach(function (name) {
        var fieldRow = row(name);
        var label = labelOf(name);
        if (label) {
          if (!label.dataset.generalLabel) label.dataset.generalLabel = label.textContent;
          var own = labels[name] && labels[name][type];
          // The admin's label ends with ":" (and a required field's class); keep that form.
          label.textContent = own ? own + ":" : label.dataset.generalLabel;
        }
        if (fieldRow && applies[name]) {
          var applicable = applies[name].indexOf(type) !== -1 || hasValue(name);
          fieldRow.hidden = !applicable;
          fieldRow.dataset.recordApplies = applicable ? "yes" : "no";
        }
      });
      typeSelect.dataset.recordType = type;
    }

    typeSelect.addEventListener("change", update);
    if (kindSelect) kindSelect.addEventListener("change", update);
    update();
  });
})();
