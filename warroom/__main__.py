from warroom.bot.cli import main

raise SystemExit(main())
