if (typeof module === 'object' && module && typeof module.exports === 'object') {
  module.exports = Coldbrew;
  module.exports.default = Coldbrew;
} else {
  cbGlobal.Coldbrew = Coldbrew;
}
})(typeof globalThis !== 'undefined' ? globalThis : this);
