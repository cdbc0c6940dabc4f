package svd

// Load reads, resolves and validates the SVD file at path. The error is non-nil when the file
// cannot be read or when any diagnostic is an error (with opt.Strict, any diagnostic at
// all); its text is the first error, "FILE:LINE:COL: CODE: message (path)", and the number
// of others. The device is returned whenever one could be built, even with errors, so that
// tools may still show what was read; do not generate code from it when err is non-nil.
func Load(path string, opt Options) (*Device, Diagnostics, error) {
	dev, diags, err := ParseFile(path)
	if err != nil {
		return nil, nil, err
	}
	if dev != nil && !unreadable(diags) {
		// A file that is not well-formed is not resolved: what follows the break is
		// missing, and diagnostics about the missing parts would only be noise.
		var rd Diagnostics
		dev, rd = Resolve(dev, Options{})
		diags = append(diags, rd...)
	}
	if opt.Strict {
		diags = diags.Strict()
	}
	diags.Sort()
	return dev, diags, diags.Err()
}

// unreadable reports whether the diagnostics say the XML itself could not be read whole.
func unreadable(ds Diagnostics) bool {
	for _, d := range ds {
		switch d.Code {
		case CodeXML, CodeBinary, CodeTooLarge, CodeRoot:
			return true
		}
	}
	return false
}
