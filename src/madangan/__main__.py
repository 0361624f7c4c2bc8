from madangan.cli import main

main()
