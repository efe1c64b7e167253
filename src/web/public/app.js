// Small progressive enhancements; every page works without them.
(function () {
  'use strict';
  // A refusal's summary takes the focus, so a keyboard or screen-reader user meets it first.
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  // Print buttons only make sense with a script.
  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });

  // Parts of a page that take long to compute arrive on their own (the dashboard's figures).
  document.querySelectorAll('[data-fragment]').forEach(function (box) {
    fetch(box.getAttribute('data-fragment'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(new Error(String(response.status))); })
      .then(function (text) { box.innerHTML = text; box.removeAttribute('aria-busy'); })
      .catch(function () { box.removeAttribute('aria-busy'); });
  });
})();
