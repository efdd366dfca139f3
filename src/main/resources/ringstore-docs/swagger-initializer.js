// Swagger UI for this node's own contract: /openapi.yaml from the same node, no validator badge
// (it would call validator.swagger.io), no URL box (BaseLayout).
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
};
