// What the global MODULE_NAME (browsers) and require() / the default import
// (Node) give: set EXPORT. `Coldbrew` is this environment.
EXPORT = Coldbrew;
