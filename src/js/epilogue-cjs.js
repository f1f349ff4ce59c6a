if (typeof module === 'object' && module && 'exports' in module) {
  module.exports = Coldbrew;
  module.exports.default = Coldbrew;
} else {
  cbGlobal.Coldbrew = Coldbrew;
}
})(typeof globalThis !== 'undefined' ? globalThis : this);
