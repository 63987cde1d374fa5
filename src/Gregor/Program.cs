Console.Error.WriteLine("gregor: not yet implemented");
return 1;
