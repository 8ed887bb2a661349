FOO = "def"
