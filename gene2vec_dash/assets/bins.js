// The map's colour bins arrive as base64 text (one byte a gene); each is decoded once into a
// Uint8Array and kept, by key ("class" or an atlas), while the same text is current.
window.gene2vecBins = (function () {
    const cache = {};
    return function (key, text) {
        const hit = cache[key];
        if (hit && hit.text === text) { return hit.bins; }
        const raw = atob(text), bins = new Uint8Array(raw.length);
        for (let k = 0; k < raw.length; k++) { bins[k] = raw.charCodeAt(k); }
        cache[key] = {text: text, bins: bins};
        return bins;
    };
})();
