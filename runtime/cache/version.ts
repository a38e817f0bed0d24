// The package version that serialized modules are stamped with (a test keeps it equal to
// package.json's: the runtime cannot read that file in a page).
export const JETWASM_VERSION = '0.1.0';
