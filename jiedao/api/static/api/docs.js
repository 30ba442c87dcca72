// Swagger UI for /api/v1/docs, started from a static file (the CSP forbids inline scripts). "Try it out" sends the
// session's CSRF token, so a logged-in user can call unsafe methods from the page as the screens do.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") return;
    var csrf = root.getAttribute("data-csrf-token") || "";
    window.ui = window.SwaggerUIBundle({
      url: root.getAttribute("data-openapi-url"),
      domNode: root,
      deepLinking: true,
      layout: "BaseLayout",
      presets: [window.SwaggerUIBundle.presets.apis],
      requestInterceptor: function (request) {
        if (csrf && request.method && ["GET", "HEAD", "OPTIONS"].indexOf(request.method.toUpperCase()) < 0) {
          request.headers["X-CSRFToken"] = csrf;
        }
        return request;
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
