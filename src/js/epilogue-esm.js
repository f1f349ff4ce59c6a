const { Coldbrew, PythonError } = cbApi;
export default cbExport(Coldbrew);
export { Coldbrew, PythonError };
