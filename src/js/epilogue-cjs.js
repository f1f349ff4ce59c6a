if (typeof module === 'object' && module && 'exports' in module) {
  module.exports = cbApi.Coldbrew;
  module.exports.default = cbApi.Coldbrew;
} else {
  cbGlobal.Coldbrew = cbApi.Coldbrew;
}
})(typeof globalThis !== 'undefined' ? globalThis : this);
