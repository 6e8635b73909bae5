// Optional: submit a filter form as soon as a <select> changes (the button still works without JS).
document.querySelectorAll("form.filters select").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
