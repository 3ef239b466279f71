#!/usr/bin/env python
from kafo.cli import main

if __name__ == "__main__":
    main()
