export default Coldbrew;
export { Coldbrew, PythonError };
