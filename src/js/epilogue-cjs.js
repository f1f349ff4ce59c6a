if (typeof module === 'object' && module && 'exports' in module) {
  module.exports = cbExport(cbApi.Coldbrew);
  if (module.exports === cbApi.Coldbrew) module.exports.default = cbApi.Coldbrew;
} else {
  cbGlobal[CB_MODULE_NAME] = cbExport(cbApi.Coldbrew);
}
})(typeof globalThis !== 'undefined' ? globalThis : this);
