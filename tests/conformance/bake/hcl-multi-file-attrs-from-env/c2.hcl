FOO="def"
