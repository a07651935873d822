// ReDoc's sidebar credit loads Redocly's logo from cdn.redoc.ly, the one thing on this page from another origin: on an
// air-gapped network that request can only fail (and the page's CSP refuses it). Images from other origins are
// therefore not requested at all; ReDoc hides the logo when it does not load.
(() => {
  const foreign = (value) => {
    const text = String(value);
    if (/^(data|blob):/i.test(text)) return false;
    try {
      return new URL(text, location.href).origin !== location.origin;
    } catch {
      return false;
    }
  };
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && foreign(value)) {
      queueMicrotask(() => this.dispatchEvent(new Event("error")));
      return;
    }
    return setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      if (foreign(value)) {
        queueMicrotask(() => this.dispatchEvent(new Event("error")));
        return;
      }
      src.set.call(this, value);
    },
  });
})();
