// Starts Swagger UI on /docs from a file, so the page needs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    // No deep links: Swagger UI puts them inside each operation's toggle button, a link
    // nested in a button that a keyboard or screen reader user cannot reach (WCAG 4.1.2).
    deepLinking: false,
    showExtensions: true,
    showCommonExtensions: true,
    // The public validator badge would be fetched from the internet; /docs works offline.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
