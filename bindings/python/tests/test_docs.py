"""The binding's README shows the quickstart the tests run."""
import os
import unittest

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICKSTART = os.path.join(PACKAGE_ROOT, "..", "..", "examples", "python", "quickstart.py")


class Readme(unittest.TestCase):
    def test_first_python_block_is_the_quickstart_example(self):
        if not os.path.exists(QUICKSTART):
            self.skipTest("examples/ is not beside this package")
        with open(os.path.join(PACKAGE_ROOT, "README.md"), encoding="utf-8") as file:
            readme = file.read()
        start = readme.index("```python\n") + len("```python\n")
        block = readme[start:readme.index("```", start)]
        with open(QUICKSTART, encoding="utf-8") as file:
            self.assertEqual(block, file.read())


if __name__ == "__main__":
    unittest.main()
