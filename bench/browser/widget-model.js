// widget.html?model=URL: the widget on another model card (run.mjs: the packed one). Runs before auto.js.
const model = new URLSearchParams(location.search).get("model");
if (model) document.querySelector("#w").setAttribute("model", model);
