const { Coldbrew, PythonError } = cbApi;
export default Coldbrew;
export { Coldbrew, PythonError };
