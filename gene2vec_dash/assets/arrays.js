// The map's big arrays (positions, colour bins) arrive as base64 text, plotly's typed-array form. Each is
// decoded once into a typed array and kept, by key, while the same text is current: plotly.js decodes a
// base64 array again at every redraw, and a new array is new data to it (a full recalculation of every
// gene), where a kept array is not (a redraw that changes nothing, such as a box selection's, is cheap).
window.gene2vecArray = (function () {
    const cache = {};
    return function (key, text, dtype) {
        const hit = cache[key];
        if (hit && hit.text === text) { return hit.array; }
        const raw = atob(text), bytes = new Uint8Array(raw.length);
        for (let k = 0; k < raw.length; k++) { bytes[k] = raw.charCodeAt(k); }
        const array = dtype === "f4" ? new Float32Array(bytes.buffer) : bytes;
        cache[key] = {text: text, array: array};
        return array;
    };
})();
