import sys

from tools_cli.main import main

sys.exit(main())
