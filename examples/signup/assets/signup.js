/* Cloudberry sign-up: validated on submit only, with one generic message. */
(function () {
  "use strict";

  var PHONE = /^\(\d{3}\) \d{3}-\d{4}$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var POSTAL = /^[A-Za-z0-9][A-Za-z0-9 -]{2,9}$/;

  function passwordOk(value) {
    return value.length >= 10 && /\d/.test(value) && /[^A-Za-z0-9]/.test(value);
  }

  // Returns the names of the fields that fail; an empty list means the form is valid.
  function validateSignup(form) {
    var failed = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !el.required) return;
      var empty = el.type === "checkbox" ? !el.checked : el.value.trim() === "";
      if (empty) failed.push(el.name);
    });
    var v = function (name) { return form.elements[name] ? form.elements[name].value.trim() : ""; };
    if (v("email") && !EMAIL.test(v("email"))) failed.push("email");
    if (v("email_confirm") !== v("email")) failed.push("email_confirm");
    if (form.elements.password && !passwordOk(form.elements.password.value)) failed.push("password");
    if (form.elements.password_confirm && form.elements.password_confirm.value !== form.elements.password.value) {
      failed.push("password_confirm");
    }
    if (v("phone") && !PHONE.test(v("phone"))) failed.push("phone");
    if (v("fax") && !PHONE.test(v("fax"))) failed.push("fax");
    if (v("postal_code") && !POSTAL.test(v("postal_code"))) failed.push("postal_code");
    return failed.filter(function (name, i) { return failed.indexOf(name) === i; });
  }

  var form = document.getElementById("signup-form");
  var error = document.getElementById("form-error");
  if (!form) return;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var failed = validateSignup(form);
    if (failed.length) {
      error.textContent = "Invalid input";
      error.hidden = false;
      window.scrollTo(0, 0);
      return;
    }
    error.hidden = true;
    window.location.href = "welcome.html";
  });

  window.validateSignup = validateSignup;
})();
